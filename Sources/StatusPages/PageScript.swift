/// The pages' only script, served from the same listener (`/ui.js`, never
/// from elsewhere): it marks the page as scripted and applies a filter as
/// soon as it is chosen. Everything works without it (the form's Apply
/// button, server-side sorting links, a meta refresh).
package enum PageScript {
    package static let path = "/ui.js"

    package static let text = """
        document.documentElement.classList.add("js");
        for (const select of document.querySelectorAll("form.filters select")) {
          select.addEventListener("change", () => select.form.submit());
        }

        """
}

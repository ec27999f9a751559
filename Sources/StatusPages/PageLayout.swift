/// The frame every page shares: its head (inline style, a meta refresh
/// instead of script), the navigation, and the body a page writes.
enum PageLayout {
    /// Seconds between reloads: the state changes by the minute.
    static let refreshSeconds = 30

    static func page(title: String, body: String) -> String {
        var html = HTML()
        html.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        html.raw("<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">")
        html.element("title", [], title + " · OpenSRE")
        html.raw("<style>\(style)</style></head><body>")
        html.raw("<header><span class=\"brand\">OpenSRE</span><nav>")
        html.raw("<a href=\"/\">SLOs</a><a href=\"/golden\">Golden signals</a><a href=\"/metrics\">Metrics</a>")
        html.raw("<a href=\"/api/v1/slos\">API</a></nav></header><main>")
        html.raw(body)
        html.raw("</main><script src=\"\(PageScript.path)\" defer></script></body></html>\n")
        return html.text
    }

    private static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{display:flex;gap:24px;align-items:center;padding:10px 24px;background:#1d2330;color:#fff}
        header a{color:#c9d3e6;margin-right:16px;text-decoration:none}header a:hover{color:#fff}
        .brand{font-weight:600}main{padding:16px 24px;max-width:1200px}
        h1{font-size:20px;margin:8px 0 12px}h2{font-size:16px;margin:20px 0 8px}
        table{border-collapse:collapse;background:#fff;width:100%}
        th,td{padding:6px 10px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
        th{font-weight:600;background:#eef0f4}th a{color:inherit}td.number,th.number{text-align:right;font-variant-numeric:tabular-nums}
        .status{display:inline-block;padding:1px 8px;border-radius:9px;font-weight:600;font-size:12px}
        .status.green{background:#d8f3dc;color:#1b5e20}.status.red{background:#fde0e0;color:#a11}
        .bar{width:120px;height:8px;background:#e3e6eb;border-radius:4px;overflow:hidden;margin-top:3px}
        .bar span{display:block;height:100%;background:#2e7d32}.bar.overspent span{background:#c62828}
        .alert{display:inline-block;margin:0 4px 2px 0;padding:0 6px;border-radius:4px;background:#fff3cd;font-size:12px}
        .alert.critical{background:#fde0e0}td.alerts{max-width:240px}.alert{overflow-wrap:anywhere}.burn{white-space:nowrap;margin-right:8px}.muted{color:#6b7280}
        form.filters{display:flex;gap:12px;align-items:end;margin-bottom:12px}
        .js form.filters button{display:none}form.filters label{display:flex;flex-direction:column;font-size:12px;color:#4b5563}
        .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:8px;margin-bottom:12px}
        .fact{background:#fff;padding:8px 12px;border:1px solid #e3e6eb}.fact b{display:block;font-size:18px}
        .panel{background:#fff;border:1px solid #e3e6eb;padding:8px 12px;margin-bottom:12px}
        .legend{list-style:none;padding:0;margin:0 0 4px;display:flex;gap:14px;font-size:12px}
        .legend li::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
        pre{background:#fff;border:1px solid #e3e6eb;padding:8px 12px;overflow:auto;font-size:12px}
        .columns{display:grid;grid-template-columns:1fr 1fr;gap:12px}.columns>div{min-width:0}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:0 12px}.charts h3{margin:4px 0;font-size:14px}
        svg.chart{width:100%;max-width:760px;height:auto;display:block}
        svg .grid{stroke:#e3e6eb}svg .axis{font-size:11px;fill:#6b7280}
        svg .line{fill:none;stroke-width:1.5}svg .dot{stroke-width:1.5}svg .rule{stroke-dasharray:5 4;stroke-width:1}
        svg .rule-label{font-size:11px;fill:#6b7280}
        svg .good{fill:#66bb6a}svg .bad{fill:#e53935}svg .budget{stroke:#1565c0}svg .zero{stroke:#c62828}
        svg .w0{stroke:#1565c0}svg .w1{stroke:#ef6c00}svg .w2{stroke:#6a1b9a}svg .w3{stroke:#00838f}svg .w4{stroke:#5d4037}
        svg .critical{stroke:#c62828}svg .warning{stroke:#ef6c00}svg .info{stroke:#6b7280}
        svg .requests{stroke:#1565c0}svg .errors{stroke:#c62828}svg .p50{stroke:#2e7d32}svg .p90{stroke:#ef6c00}
        svg .p99{stroke:#c62828}svg .saturation{stroke:#6a1b9a}svg .dot{fill:#fff}
        """
}

import OpenSREPipeline
import Testing

@Suite("Conformance: resource and scope")
struct ResourceConformanceTests {
    static func resource(_ pairs: (String, String)...) -> String {
        "[" + pairs.map { #"{"key":"\#($0.0)","value":{"stringValue":"\#($0.1)"}}"# }.joined(separator: ",") + "]"
    }

    @Test("job = service.namespace/service.name, instance = service.instance.id; target_info carries the rest")
    func targetInfo() throws {
        let resource = Self.resource(
            ("service.name", "api"), ("service.namespace", "shop"), ("service.instance.id", "pod-7"),
            ("k8s.pod.name", "api-7"), ("host.name", "n1"))
        let page = try expose(OTLP.request(OTLP.gauge("up"), resource: resource))
        #expect(
            page == """
                # HELP opensre_target_info Target metadata
                # TYPE opensre_target_info gauge
                opensre_target_info{host_name="n1",instance="pod-7",job="shop/api",k8s_pod_name="api-7"} 1
                # HELP opensre_up up
                # TYPE opensre_up gauge
                opensre_up{instance="pod-7",job="shop/api",otel_scope_name="lib"} 1

                """)
    }

    @Test("target_info also without service.instance.id (the Collector emits none then)")
    func targetInfoWithoutInstance() throws {
        let resource = Self.resource(("service.name", "batch"), ("host.name", "n2"))
        #expect(
            samples(try expose(OTLP.request(OTLP.gauge("up"), resource: resource))) == [
                #"opensre_target_info{host_name="n2",job="batch"} 1"#, #"opensre_up{job="batch",otel_scope_name="lib"} 1"#,
            ])
    }

    @Test("no target_info when the resource has nothing beyond job and instance, or neither of them")
    func noTargetInfo() throws {
        #expect(!(try expose(OTLP.request(OTLP.gauge("up")))).contains("target_info"))
        let anonymous = Self.resource(("host.name", "n3"))
        #expect(samples(try expose(OTLP.request(OTLP.gauge("up"), resource: anonymous))) == [#"opensre_up{otel_scope_name="lib"} 1"#])
    }

    @Test("scope name, version, schema URL and attributes become otel_scope_* labels")
    func scopeLabels() throws {
        let request = #"{"resourceMetrics":[{"resource":{"attributes":\#(OTLP.defaultResource)},"scopeMetrics":[{"scope":{"name":"io.lib","version":"2.1","attributes":[{"key":"team","value":{"stringValue":"core"}},{"key":"name","value":{"stringValue":"dropped"}}]},"schemaUrl":"https://opentelemetry.io/schemas/1.26.0","metrics":[\#(OTLP.gauge("up"))]}]}]}"#
        #expect(
            samples(try expose(request)) == [
                #"opensre_up{instance="i1",job="svc",otel_scope_name="io.lib",otel_scope_schema_url="https://opentelemetry.io/schemas/1.26.0",otel_scope_team="core",otel_scope_version="2.1"} 1"#
            ])
        #expect(
            samples(try expose(request, settings: ExpositionSettings(withoutScopeInfo: true))) == [
                #"opensre_up{instance="i1",job="svc"} 1"#
            ])
    }

    @Test("resource_to_telemetry_conversion copies every resource attribute to every series; point attributes win")
    func resourceToTelemetry() throws {
        let resource = Self.resource(("service.name", "api"), ("region", "eu"), ("zone", "a"))
        let metric = OTLP.gauge("up", attributes: #"[{"key":"zone","value":{"stringValue":"b"}}]"#)
        #expect(
            samples(
                try expose(
                    OTLP.request(metric, resource: resource),
                    settings: ExpositionSettings(withoutScopeInfo: true, resourceToTelemetryConversion: true))
            ) == [
                #"opensre_target_info{job="api",region="eu",zone="a"} 1"#,
                #"opensre_up{job="api",region="eu",service_name="api",zone="b"} 1"#,
            ])
    }
}

import OpenSREModel
import PrometheusExposition

/// Creating streams, series and target_info: where names and label text are
/// rendered, once each.
extension SeriesStore {
    /// The stream of `decoded`, found by its key (``DecodedStream/key``:
    /// resource, scope, name, kind, temporality, unit), created when new; nil
    /// when a new one does not fit in `max_series_bytes` (see ``SeriesAccounting``).
    func stream(for decoded: DecodedStream, bytes: UnsafeRawBufferPointer) -> MetricStream? {
        let key = bytes[slice: decoded.key]
        if let existing = streams.find(hash: decoded.identityHash, key: key) {
            return existing
        }
        guard seriesBytes < maxSeriesBytes else { return nil }
        let familyCount = families.count
        let created = makeStream(decoded, bytes: bytes)
        let resource = Int(decoded.resource.count)
        // The resource is kept once per use: target_info key, resource labels, SLO and golden-signal matching.
        let uses =
            (created.targetKey != nil ? 1 : 0) + (created.resourceAttributes.isEmpty ? 0 : 1)
            + (created.sloSource != nil ? 1 : 0) + (created.goldenResource != nil ? 1 : 0)
        let cost =
            SeriesAccounting.streamOverhead + SeriesAccounting.keyBytes(key.count) + uses * resource
            + created.fixedLabels.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        guard seriesBytes + cost <= maxSeriesBytes else {
            // Leave nothing behind: a family made for this stream alone goes too.
            if families.count > familyCount, let family = created.family, family.isEmpty {
                families[family.name.text] = nil
                sortedFamilies = nil
            }
            return nil
        }
        created.accountedBytes = cost
        seriesBytes += cost
        streams.insert(hash: decoded.identityHash, key: key, value: created)
        return created
    }

    private func makeStream(_ decoded: DecodedStream, bytes: UnsafeRawBufferPointer) -> MetricStream {
        let translated = naming.translate(decoded, bytes: bytes)
        let targetKey = targetInfoKey(
            resource: translated.resource, identity: translated.identity, bytes: bytes[slice: decoded.resource])
        func stream(_ family: MetricFamily?, _ refusal: MetricStream.Refusal?) -> MetricStream {
            MetricStream(
                kind: decoded.kind, temporality: decoded.temporality, family: family, refusal: refusal,
                fixedLabels: translated.fixedLabels, resourceAttributes: translated.resourceLabels,
                reservedLabels: translated.reservedLabels, targetKey: targetKey)
        }
        func observed(_ stream: MetricStream) -> MetricStream {
            for observer in observers {
                let follows = observer.streamCreated(
                    stream, decoded: decoded, metric: translated.metric, job: translated.identity.job,
                    resource: translated.resource, resourceBytes: bytes[slice: decoded.resource])
                if follows { stream.isObserved = true }
            }
            return stream
        }
        guard let name = translated.name else { return stream(nil, .invalidName) }
        if let existing = families[name] {
            guard existing.type == translated.type, !existing.isInfo else {
                let refused = stream(nil, .typeConflict)
                refused.conflictingName = name
                return refused
            }
            // A family first seen without a description takes the first one that arrives.
            if existing.help == translated.metric, !translated.description.isEmpty {
                existing.help = translated.description
            }
            return observed(stream(existing, nil))
        }
        let family = MetricFamily(name: name, type: translated.type, help: translated.help, unit: translated.unit)
        family.isDerived = decoded.isDerived
        families[name] = family
        sortedFamilies = nil
        return observed(stream(family, nil))
    }

    /// The series of `stream` with these attributes (another stream's when
    /// its labels render the same), its cost (and that of its key in the
    /// stream's table) counted; nil when that does not fit in `max_series_bytes`.
    /// `stateBytes`: what its first point's state holds out of line.
    ///
    /// The label text is rendered into the store's scratch memory
    /// (``LabelTextRenderer``) and looked up from there: a new series
    /// allocates only what it keeps.
    func makeSeries(
        for stream: MetricStream, attributes key: UnsafeRawBufferPointer, stateBytes: Int
    ) -> (series: Series, isNew: Bool)? {
        let templates = labelTemplates(of: stream)
        labelRenderer.render(templates.legacy, attributes: key)
        var utf8LabelText: [UInt8]?
        if let utf8 = templates.utf8 {
            utf8LabelRenderer.render(utf8, attributes: key)
            if utf8LabelRenderer.text != labelRenderer.text {
                utf8LabelText = utf8LabelRenderer.text.withUnsafeBytes { Array($0) }  // its own, of its size
            }
        }
        return labelRenderer.text.withUnsafeBytes { labelText in
            let family = stream.family!
            let keyCost = SeriesAccounting.keyBytes(key.count)
            let (existing, hash) = family.find(labelText: labelText)
            if let existing {
                guard seriesBytes + keyCost <= maxSeriesBytes else { return nil }
                seriesBytes += keyCost
                return (existing, false)
            }
            let prefix = stream.sharedPrefix(for: labelText)
            let cost =
                keyCost + SeriesAccounting.seriesOverhead + labelText.count - prefix.count + (utf8LabelText?.count ?? 0)
                + min((stateBytes + 15) / 16 * 16, SeriesAccounting.maximumStateBytes)
            guard seriesBytes + cost <= maxSeriesBytes else { return nil }
            let series = family.insert(labelText: labelText, hash: hash, prefix: prefix, utf8LabelText: utf8LabelText)
            series.setAccountedStateBytes(stateBytes)
            seriesBytes += keyCost + series.accountedBytes
            return (series, true)
        }
    }

    /// The stream's label templates, made with its first series: the legacy
    /// text's, and with a UTF-8 translation strategy the UTF-8 text's (whose
    /// fixed label names are not escaped).
    private func labelTemplates(of stream: MetricStream) -> (legacy: LabelTemplate, utf8: LabelTemplate?) {
        if let made = stream.labelTemplates { return made }
        let made: (legacy: LabelTemplate, utf8: LabelTemplate?)
        if settings.translationStrategy.escapes {
            made = (
                LabelTemplate(
                    fixed: stream.fixedLabels, resource: stream.resourceAttributes, reserved: stream.reservedLabels),
                nil
            )
        } else {
            let legacyFixed = stream.fixedLabels.map { Label(PrometheusNames.escape($0.name, allowColon: false), $0.value) }
            made = (
                LabelTemplate(fixed: legacyFixed, resource: stream.resourceAttributes, reserved: stream.reservedLabels),
                LabelTemplate(
                    fixed: stream.fixedLabels, resource: stream.resourceAttributes, reserved: stream.reservedLabels,
                    utf8: true)
            )
        }
        stream.labelTemplates = made
        return made
    }

    // MARK: target_info

    /// The key of the resource's `target_info` series, when it gets one: when
    /// it has a job or an instance and other attributes (also without
    /// `service.instance.id`, unlike the Collector).
    private func targetInfoKey(
        resource: [Attribute], identity: ResourceIdentity, bytes: UnsafeRawBufferPointer
    ) -> (hash: UInt64, bytes: [UInt8])? {
        guard !identity.job.isEmpty || !identity.instance.isEmpty,
            resource.contains(where: { !ResourceIdentity.keys.contains($0.key) })
        else { return nil }
        return (ByteHasher.hash(bytes, seed: 3), Array(bytes))
    }

    /// Marks the stream's resource as seen, creating its target_info series if needed.
    func touchTargetInfo(of stream: MetricStream, now: UInt64) {
        guard let key = stream.targetKey else { return }
        if let existing = targets.find(hash: key.hash, key: key.bytes), !existing.isRemoved {
            existing.lastSeen = now
            return
        }
        let resource = AttributeDecoder.decode(key.bytes)
        let identity = ResourceIdentity(resource)
        let labels = LabelSetBuilder.labels(
            fixed: [Label("job", identity.job), Label("instance", identity.instance)],
            attributes: resource.filter { !ResourceIdentity.keys.contains($0.key) })
        let family = targetFamily()
        let (series, isNew) = family.series(labelText: ExpositionWriter.labelText(labels))
        // Not refused by max_series_bytes: one per resource, whose stream was admitted.
        if isNew {
            totalSeries += 1
            seriesBytes += series.accountedBytes
        }
        series.state.value = 1
        series.lastSeen = now
        key.bytes.withUnsafeBytes {
            if targets.remove(hash: key.hash, key: $0) != nil { seriesBytes -= SeriesAccounting.keyBytes($0.count) }
        }
        targets.insert(hash: key.hash, key: key.bytes, value: series)
        seriesBytes += SeriesAccounting.keyBytes(key.bytes.count)
    }

    private func targetFamily() -> MetricFamily {
        let name = settings.namespace.isEmpty ? "target_info" : settings.namespace + "_target_info"
        if let family = families[name], family.isInfo { return family }
        let family = MetricFamily(name: name, type: .gauge, help: "Target metadata", isInfo: true)
        families[name] = family
        sortedFamilies = nil
        return family
    }
}

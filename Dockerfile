# OpenSRE as a container (a sidecar next to an app; see config/kubernetes/).
# Build: docker build -t opensre .   Run: docker run -p 4317:4317 -p 4318:4318 -p 8889:8889 opensre
ARG SWIFT_IMAGE=swift:6.3.1-bookworm

# Stage 1: build a release binary with the Swift runtime linked in.
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libprotobuf-c-dev zlib1g-dev libzstd-dev libsnappy-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Protos ./Protos
RUN swift build -c release --product opensre --static-swift-stdlib \
    && install -D .build/release/opensre /out/opensre

# Stage 2: a slim Debian with only the C libraries the binary links.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libprotobuf-c1 zlib1g libzstd1 libsnappy1v5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/opensre --create-home opensre
COPY --from=build /out/opensre /usr/local/bin/opensre
COPY config/opensre.yaml /etc/opensre/opensre.yaml
USER 10001
WORKDIR /var/lib/opensre
EXPOSE 4317 4318 8889
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["opensre", "healthcheck", "--path", "/healthz"]
ENTRYPOINT ["opensre"]
CMD ["--config", "/etc/opensre/opensre.yaml"]

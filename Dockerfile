# Magnetar's container image: a build stage that compiles magnetar-server from Debian 12's
# packages, and a runtime stage that carries only the binary, its shared libraries and a config.
#
# BASE_IMAGE is an argument because the image is often built where no registry is reachable:
# docs/docker.md shows how to make a local Debian 12 base with debootstrap and pass it here.
# Build with BuildKit (DOCKER_BUILDKIT=1 on Docker 20.10): the compile keeps a ccache in a build
# cache mount, so a rebuild after a small change recompiles only what changed.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      g++ cmake ninja-build pkg-config ccache \
      libboost1.81-dev libjemalloc-dev libspdlog-dev libfmt-dev libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY include include
COPY src src
ENV CCACHE_DIR=/ccache
RUN --mount=type=cache,target=/ccache \
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAGNETAR_TESTS=OFF \
      -DMAGNETAR_BENCH=OFF \
 && cmake --build build --target magnetar-server \
 && strip build/magnetar-server

FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
# The runtime libraries of the -dev packages above, and nothing else.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libjemalloc2 libspdlog1.10 libfmt9 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 999 magnetar \
 && useradd --system --uid 999 --gid magnetar --home-dir /data --no-create-home magnetar \
 && mkdir -p /data /etc/magnetar \
 && chown magnetar:magnetar /data
COPY --from=build /src/build/magnetar-server /usr/local/bin/magnetar-server
COPY conf/docker.conf /etc/magnetar/magnetar.conf
WORKDIR /data
VOLUME /data
USER magnetar
EXPOSE 6379
# The server is PID 1 and handles SIGTERM itself (docker stop): it saves when persistence is on
# and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["magnetar-server"]
CMD ["/etc/magnetar/magnetar.conf"]

# One image, two commands: the worker and the web/API (`starter serve`). The Temporal server
# is not in it: production runs a Temporal cluster.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/ ./cmd/worker ./cmd/starter

# Runs as uid 65532 (distroless "nonroot"), numeric so Kubernetes' runAsNonRoot can check it,
# on a read-only root filesystem (deploy/k8s mounts /tmp). 8080: web/API (with /metrics,
# /readyz, /livez); 9090: the worker's METRICS_ADDR.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
USER 65532:65532
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/starter"]
CMD ["serve"]

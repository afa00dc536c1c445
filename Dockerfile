# One image, two commands: the worker and the web/API (`starter serve`). The Temporal server
# is not in it: production runs a Temporal cluster.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./cmd/worker ./cmd/starter

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
USER nonroot
ENTRYPOINT ["/usr/local/bin/starter"]
CMD ["serve"]

# Multi-stage build of the regiongraph binary: build with the Go toolchain,
# run from a distroless static image as a non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/regiongraph ./cmd/regiongraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/regiongraph /usr/local/bin/regiongraph
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/regiongraph"]
CMD ["serve", "--store", "neo4j"]

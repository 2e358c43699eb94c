// Pins github.com/distribution/reference, the image reference grammar container
// runtimes parse pod images with; built once into the cache by the tests.
module github.com/example-org/todo-deploy-kit/tools/image-reference

go 1.26.0

require github.com/distribution/reference v0.6.0

require github.com/opencontainers/go-digest v1.0.0 // indirect

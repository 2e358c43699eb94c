// The pod sandbox's pause program for the node the tests run: it holds the
// pod's namespaces, reaps the zombies of its PID namespace, and exits on
// SIGINT or SIGTERM, as Kubernetes' own pause does.
module github.com/example-org/todo-deploy-kit/tools/pause

go 1.26.0

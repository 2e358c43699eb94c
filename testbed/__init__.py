"""The app run on this machine from dist/, for the tests and the benchmarks alike.

PostgreSQL from Debian's binaries (postgres.py), each pod under runc with its
Deployment's limits (stack.py, pods.py, images.py, probes.py) and nginx
configured from the Ingresses (ingress_nginx.py); manifests.py reads dist/;
fake_openai.py stands in for the OpenAI API.
"""

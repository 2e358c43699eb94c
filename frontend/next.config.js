import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// This directory is the whole app (it is the image's build context). Without
// pinning it, Next.js sees the repository's own package-lock.json one level
// up, takes that as the root, and nests server.js under .next/standalone/frontend/.
const appRoot = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server.js plus the node_modules it needs: what the
  // runtime stage of docker/frontend/Dockerfile copies.
  output: "standalone",
  outputFileTracingRoot: appRoot,
  turbopack: { root: appRoot },
  poweredByHeader: false,
};

export default nextConfig;

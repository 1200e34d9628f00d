import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into web-admin/dist, which the control plane serves at the root of its admin port.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    // `vite web-admin` during development: the admin API stays on the control plane.
    proxy: { "/tollgate.admin.v1.": process.env.TOLLGATE_ADMIN_URL ?? "http://127.0.0.1:8081" },
  },
});

export { type ControlPlane, type ControlPlaneOptions, createControlPlane } from "./control-plane.js";
export { type ControlPlaneServerOptions, type RunningControlPlane, startControlPlane } from "./server.js";

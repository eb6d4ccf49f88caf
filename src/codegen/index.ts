export * from "./client-types.js";

export * from "./client-types";

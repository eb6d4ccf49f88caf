export * from "./emitter";

export * from './client-types.js';
export { generateFromModule, readClientTypesArgs, runClientTypesCli, type IClientTypesCliSettings } from './cli.js';

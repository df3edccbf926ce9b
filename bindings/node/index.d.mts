// The types of the ECMAScript module entry point: those of the CommonJS one.
export * from './index.js';

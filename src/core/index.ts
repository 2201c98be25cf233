// The public part of the shared core; the rest of src/core/ is internal to the library.
export * from './service-account';
export * from './organization';

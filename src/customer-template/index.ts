export * from './customer-template-stack';
export * from './template-props';
export * from './container-insights-customer-template';
export * from './remote-write-customer-template';
export * from './quick-create-link';
export * from './vendor-customer';

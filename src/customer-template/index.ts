export * from './customer-template-stack';
export * from './template-props';
export * from './container-insights-customer-template';
export * from './remote-write-customer-template';
export * from './quick-create-link';
export * from './vendor-customer';
export * from './amp-collector-customer-template';
export * from './container-cost-customer-template';

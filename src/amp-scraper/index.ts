export * from './amp-scraper-target-role';
export * from './amp-cross-account-scraper';
export * from './amp-scraper-rbac-chart';

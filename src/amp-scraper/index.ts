export * from './amp-scraper-target-role';
export * from './amp-cross-account-scraper';

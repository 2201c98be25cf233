/**
 * The kinds of telemetry a CloudWatch cross-account observability link shares (the sink policy's
 * `oam:ResourceTypes`, the link's `ResourceTypes`).
 */
export enum ObservabilityResourceType {
  /** CloudWatch metrics (Container Insights' metrics among them). */
  METRIC = 'AWS::CloudWatch::Metric',
  /** CloudWatch Logs log groups (Container Insights' performance log events among them). */
  LOG_GROUP = 'AWS::Logs::LogGroup',
  /** X-Ray traces. */
  TRACE = 'AWS::XRay::Trace',
}

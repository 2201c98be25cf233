/**
 * A Kubernetes service account, by namespace and name.
 */
export interface ServiceAccountRef {
  /**
   * The namespace (an RFC 1123 label).
   */
  readonly namespace: string;

  /**
   * The service-account name (an RFC 1123 subdomain). In an IRSA trust, `*` and `?` may be used
   * as wildcards (for example `*` trusts every service account of the namespace); charts need a
   * literal name.
   */
  readonly name: string;
}

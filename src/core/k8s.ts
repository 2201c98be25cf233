/** The service-account annotation the EKS pod identity webhook reads to inject IRSA credentials. */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';


/** The service-account annotation the EKS pod identity webhook reads to inject IRSA credentials. */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** An image reference pinned to a tag other than "latest", or to a digest. */
export function isPinnedImage(image: string): boolean {
  if (/\s/.test(image)) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = image.split('/').pop()!.split(':')[1];
  return tag !== undefined && tag !== '' && tag !== 'latest';
}

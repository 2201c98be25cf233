/**
 * Reading a Lambda handler's configuration from the environment the stack fixed at deploy time.
 * Pure: shared by the handlers.
 */

/** A reader of required variables: a missing or empty one is an error naming it. */
export function requiredEnv(env: Record<string, string | undefined>): (key: string) => string {
  return (key) => {
    const value = env[key];
    if (!value) throw new Error(`environment variable ${key} is not set`);
    return value;
  };
}

/** A comma-separated list, trimmed, without empty entries. */
export function envList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * What the hashicorp/aws provider needs to talk to the local sandbox, shared by the Terraform harness
 * (emulator/terraform.ts, HCL) and the cdktf deploy stacks (modules/lib/stack.ts), so the two cannot drift.
 */

/** Services whose endpoint the sandbox serves, for the provider's endpoints block. */
export const SANDBOX_SERVICES = ['cloudformation', 'iam', 'organizations', 's3', 'sqs', 'ssoadmin', 'sts'] as const;

/**
 * Low, so an unimplemented call fails in seconds instead of retrying for minutes; above 1, because a transport
 * error seen once under load on 2 shared cores ("use of closed network connection") must not fail a whole apply.
 */
export const SANDBOX_MAX_RETRIES = 3;

/** The narrow IAM interface of root-password-reset: the root user's login profile (UserName omitted). */
import { createClient, sdk, type Session } from '../../engine/clients';
import { toRunbookError } from '../../engine/aws-errors';

export interface RootLoginProfileApi {
  exists(): Promise<boolean>;
  /** Creates the root login profile without a password: the root e-mail owner then uses "forgot password". */
  create(): Promise<void>;
}

export async function rootLoginProfileApi(session: Session): Promise<RootLoginProfileApi> {
  const iam = await sdk('iam');
  const client = await createClient('iam', session);
  return {
    async exists() {
      try {
        await client.send(new iam.GetLoginProfileCommand({}));
        return true;
      } catch (err) {
        if ((err as Error).name === 'NoSuchEntity' || (err as Error).name === 'NoSuchEntityException') return false;
        throw toRunbookError(err, { action: 'iam:GetLoginProfile', target: 'the root user' });
      }
    },
    async create() {
      try {
        await client.send(new iam.CreateLoginProfileCommand({}));
      } catch (err) {
        // A retry after a lost answer finds the profile the first attempt created; verify re-reads it anyway.
        if ((err as Error).name === 'EntityAlreadyExists' || (err as Error).name === 'EntityAlreadyExistsException')
          return;
        throw toRunbookError(err, { action: 'iam:CreateLoginProfile', target: 'the root user' });
      }
    },
  };
}

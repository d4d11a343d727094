/** The narrow SQS interface the queue runbooks receive: a queue policy store and the name → URL lookup. */
import { createClient, sdk, type Session } from '../../engine/clients';
import { toRunbookError } from '../../engine/aws-errors';
import { endpointOverride } from '../../engine/endpoints';
import { RunbookError } from '../../engine/errors';
import { checkQueueUrl } from '../../engine/queue-url';
import type { PolicyStore } from './policy-store';

export interface QueuePolicyStore extends PolicyStore {
  /** sqs:GetQueueUrl for a queue of the given account. */
  queueUrl(name: string, account: string): Promise<string>;
}

export async function queuePolicyStore(session: Session): Promise<QueuePolicyStore> {
  const sqs = await sdk('sqs');
  const client = await createClient('sqs', session);
  return {
    async queueUrl(name, account) {
      try {
        const answer = await client.send(
          new sqs.GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
        );
        const url = answer.QueueUrl;
        const ref = url === undefined ? undefined : checkQueueUrl(url, endpointOverride('SQS', session.settings));
        // The answer is stored in the backup and named in the audit log: it gets the same rules as --queue-url.
        if (ref === undefined || 'problem' in ref || ref.account !== account || ref.name !== name) {
          throw new RunbookError('Failed', `sqs:GetQueueUrl for queue ${name} answered with an unexpected queue URL`, {
            hint: 'check --endpoint-url / AWS_ENDPOINT_URL_SQS; the answer must be a queue URL of the account',
          });
        }
        return ref.url;
      } catch (err) {
        throw toRunbookError(err, { action: 'sqs:GetQueueUrl', target: `queue ${name}` });
      }
    },
    async read(url) {
      try {
        const answer = await client.send(
          new sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }),
        );
        const policy = answer.Attributes?.Policy;
        return policy === undefined || policy === '' ? null : policy;
      } catch (err) {
        throw toRunbookError(err, { action: 'sqs:GetQueueAttributes', target: `queue ${url}` });
      }
    },
    async write(url, policy) {
      try {
        // SQS removes a queue policy when it is set to the empty string.
        await client.send(new sqs.SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: policy ?? '' } }));
      } catch (err) {
        throw toRunbookError(err, { action: 'sqs:SetQueueAttributes', target: `queue ${url}` });
      }
    },
  };
}

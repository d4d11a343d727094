/** The narrow SQS interface the queue runbooks receive: a queue policy store and the name → URL lookup. */
import { createClient, sdk, type Session } from '../../engine/clients';
import { toRunbookError } from '../../engine/aws-errors';
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
        if (answer.QueueUrl === undefined) throw new Error('GetQueueUrl answered without a QueueUrl');
        return answer.QueueUrl;
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

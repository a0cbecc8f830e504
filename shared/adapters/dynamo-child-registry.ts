import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { identifierKinds } from '../children/child-identifiers';
import type { ChildIdentity, EpisodeCommit, RegistryEntry } from '../ports';
import { childIdentityKey, identifierKey, TTL_ATTRIBUTE } from './episode-table';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The attributes of the child's IDENTITY item: one string set per kind of identifier, and the date of birth's. */
const identityAttributes = [...identifierKinds, 'born'] as const;

export const registryEntryOf = (item: Item): RegistryEntry => ({
  childId: item.childId as string,
  episodeId: item.episodeId as string,
  episodeRef: item.episodeRef as string,
});

export const childIdentityOf = (item: Item): ChildIdentity =>
  Object.fromEntries(
    identityAttributes.flatMap((name) =>
      item[name] instanceof Set ? [[name, [...(item[name] as Set<string>)].sort()]] : [],
    ),
  );

/**
 * A report's registry writes, in its commit: each identifier's entry set to name the child (and re-stamped
 * with the episode it was last reported on and the retention), on condition that it names no other child;
 * and the child's IDENTITY item, to which the identifiers' and the date of birth's pseudonyms are added.
 */
export const registryTransactItems = (
  TableName: string,
  change: EpisodeCommit,
  expiresAt: number,
): TransactItem[] => {
  const { registry, childId } = change;
  if (!registry) return [];
  const entries = registry.identifiers.map(
    (identifier): TransactItem => ({
      Update: {
        TableName,
        Key: identifierKey(identifier.key),
        UpdateExpression:
          'SET childId = :child, identifierKind = :kind, episodeId = :episode, episodeRef = :ref, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(pk) OR childId = :child',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':child': childId,
          ':kind': identifier.kind,
          ':episode': change.episodeId,
          ':ref': change.episodeRef,
          ':ttl': expiresAt,
        },
      },
    }),
  );
  const added: [string, Set<string>][] = identityAttributes.flatMap((name) => {
    const keys =
      name === 'born'
        ? registry.born
          ? [registry.born]
          : []
        : registry.identifiers.filter((i) => i.kind === name).map((i) => i.key);
    return keys.length > 0 ? [[name, new Set(keys)] as [string, Set<string>]] : [];
  });
  const identity: TransactItem = {
    Update: {
      TableName,
      Key: childIdentityKey(childId),
      UpdateExpression: `SET #ttl = :ttl${
        added.length > 0 ? ` ADD ${added.map(([name]) => `#${name} :${name}`).join(', ')}` : ''
      }`,
      ExpressionAttributeNames: {
        '#ttl': TTL_ATTRIBUTE,
        ...Object.fromEntries(added.map(([name]) => [`#${name}`, name])),
      },
      ExpressionAttributeValues: {
        ':ttl': expiresAt,
        ...Object.fromEntries(added.map(([name, keys]) => [`:${name}`, keys])),
      },
    },
  };
  return [...entries, identity];
};

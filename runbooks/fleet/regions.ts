/**
 * Regions for the regional parts of a fleet scan: the partition a region belongs to, the regions of each
 * partition, and which of them an account may have left disabled (opt-in regions). A root session works only in
 * its own partition, so a region list that leaves it is bad input.
 */
import { badInput } from '../engine/errors';
import { badValue, partitionOf, REGION } from '../engine/validate';

/** The regions AWS enabled by default (launched before 20 March 2019); every later region is opt-in. */
const ENABLED_BY_DEFAULT = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
]);

/** The regions of each partition that serve SQS today (a test keeps them inside the SDK's partition data). */
export const PARTITION_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    ...ENABLED_BY_DEFAULT,
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-south-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'ca-west-1',
    'eu-central-2',
    'eu-south-1',
    'eu-south-2',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

/** Whether an account can have `region` disabled: opt-in regions of the commercial partition. */
export function isOptInRegion(region: string): boolean {
  return partitionOf(region) === 'aws' && !ENABLED_BY_DEFAULT.has(region);
}

/** Which regions a scan covers: the run's own region, a list, or every region of the partition. */
export type RegionChoice = { readonly regions: readonly string[] } | { readonly all: true } | { readonly own: true };

/** Parses --regions / --all-regions (mutually exclusive) before any AWS call. */
export function parseRegionChoice(flags: { regions?: string; allRegions?: boolean }): RegionChoice {
  if (flags.regions !== undefined && flags.allRegions === true) {
    throw badInput('Choose only one of --regions and --all-regions.');
  }
  if (flags.allRegions === true) return { all: true };
  if (flags.regions === undefined) return { own: true };
  const allowed = 'a comma-separated list of region names such as us-east-1,eu-west-1';
  // Spaces around the commas are how people write lists; any other whitespace is a paste gone wrong.
  const regions = [...new Set(flags.regions.split(',').map((r) => r.replace(/^ +| +$/g, '')))].filter((r) => r !== '');
  if (regions.length === 0) throw badValue('--regions', flags.regions, allowed);
  const bad = regions.find((r) => !REGION.test(r));
  if (bad !== undefined) throw badValue('--regions', bad, allowed);
  const partitions = new Set(regions.map(partitionOf));
  if (partitions.size > 1) {
    throw badValue(
      '--regions',
      flags.regions,
      'regions of one partition',
      'a root session works only in its own partition',
    );
  }
  return { regions };
}

/** The regions of `choice` for a run whose caller is in `ownRegion`; a list outside its partition is bad input. */
export function resolveRegions(choice: RegionChoice, ownRegion: string): string[] {
  const partition = partitionOf(ownRegion);
  if ('own' in choice) return [ownRegion];
  if ('all' in choice) return [...(PARTITION_REGIONS[partition] ?? [ownRegion])];
  const outside = choice.regions.find((r) => partitionOf(r) !== partition);
  if (outside !== undefined) {
    throw badValue('--regions', outside, `regions of the ${partition} partition (the caller's region is ${ownRegion})`);
  }
  return [...choice.regions];
}

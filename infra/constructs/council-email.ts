import { CfnOutput, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { CouncilConfig } from '../../shared/council/council-schema';

/** The SES dimension SES itself tags every message with: per-configuration-set bounce and complaint counts. */
export const CONFIGURATION_SET_DIMENSION = 'ses:configuration-set';

export interface CouncilEmailProps {
  council: CouncilConfig;
  prefix: string;
}

/**
 * The council's sending: a domain identity for the council file's from address (Easy DKIM), and a
 * configuration set that requires TLS to the receiving server, suppresses addresses that bounced or
 * complained and counts bounces and complaints in CloudWatch for the alarms.
 */
export class CouncilEmail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly identity: EmailIdentity;
  readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: CouncilEmailProps) {
    super(scope, id);
    this.fromAddress = props.council.email.from.address;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.prefix,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      // A child's details never cross the internet in clear: SES refuses to deliver to a server without TLS.
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('Metrics', {
      destination: EventDestination.cloudWatchDimensions([
        {
          name: CONFIGURATION_SET_DIMENSION,
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: props.prefix,
        },
      ]),
      // Only what the alarms count: each event type published is a custom metric on the bill.
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(domainOf(this.fromAddress)),
      configurationSet: this.configurationSet,
    });
  }

  /**
   * SES SendEmail from the council's from address only. The identity resource is a wildcard because SES
   * also checks a sandboxed account's verified recipients against the policy; the condition pins the sender.
   */
  grantSend(grantee: IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.fromAddress } },
      }),
    );
  }

  /** The three CNAME records that verify the domain (Easy DKIM): the operator adds them to the council's DNS. */
  outputDkimRecords(): void {
    this.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(Stack.of(this), `DkimRecord${i + 1}`, { value: `${record.name} CNAME ${record.value}` });
    });
  }
}

const domainOf = (address: string): string => {
  const domain = address.split('@')[1];
  if (!domain) throw new Error(`${address} is not an email address`);
  return domain;
};

import { loadCouncilFile } from '../../infra/councils/council-files';
import { type CouncilConfig, type Inbox, isPlaceholderPhone } from '../../shared/council/council-schema';

export const towerHamlets = loadCouncilFile('tower-hamlets');
export const bathNes = loadCouncilFile('bath-ne-somerset');
export const councils = [towerHamlets, bathNes] as const;

const real = (inbox: Inbox): Inbox => ({
  address: inbox.address.replace(/\.invalid$/, '.gov.uk'),
  placeholder: false,
});

/**
 * The council file as an operator fills it in before deploying: every placeholder inbox (the sending
 * domain, the sources' safeguarding leads and the operators' test inbox among them) on a real-looking
 * domain, and every placeholder phone number a real-looking one.
 */
export const deployable = (council: CouncilConfig): CouncilConfig => ({
  ...council,
  agencies: Object.fromEntries(
    Object.entries(council.agencies).map(([id, agency]) => [
      id,
      {
        ...agency,
        inbox: real(agency.inbox),
        phones: agency.phones.map((phone, i) => (isPlaceholderPhone(phone) ? `0300 123 456${i}` : phone)),
      },
    ]),
  ),
  sources: Object.fromEntries(
    Object.entries(council.sources).map(([id, source]) => [
      id,
      source.safeguardingLead ? { ...source, safeguardingLead: real(source.safeguardingLead) } : source,
    ]),
  ),
  email: {
    from: real(council.email.from),
    ...(council.email.replyTo ? { replyTo: real(council.email.replyTo) } : {}),
    testInbox: real(
      council.email.testInbox ?? { address: `ops-test@${council.id}.invalid`, placeholder: true },
    ),
  },
});

export const deployableCouncils = councils.map(deployable);

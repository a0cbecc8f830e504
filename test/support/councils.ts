import { loadCouncilFile } from '../../infra/councils/council-files';
import { type CouncilConfig, isPlaceholderPhone } from '../../shared/council/council-schema';

export const towerHamlets = loadCouncilFile('tower-hamlets');
export const bathNes = loadCouncilFile('bath-ne-somerset');
export const councils = [towerHamlets, bathNes] as const;

/** The council file with every placeholder inbox and phone number replaced by a real-looking one. */
export const withRealContacts = (council: CouncilConfig): CouncilConfig => {
  const real = (inbox: { address: string }) => ({
    address: inbox.address.replace(/\.invalid$/, '.gov.uk'),
    placeholder: false,
  });
  return {
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
    email: { from: real(council.email.from) },
  };
};

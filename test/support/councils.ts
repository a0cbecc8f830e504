import { loadCouncilFile } from '../../infra/councils/council-files';

export const towerHamlets = loadCouncilFile('tower-hamlets');
export const bathNes = loadCouncilFile('bath-ne-somerset');
export const councils = [towerHamlets, bathNes] as const;

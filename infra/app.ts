import { App } from 'aws-cdk-lib';
import { addCouncilStacks } from './council-app';

// `npx cdk synth` builds every council; `-c council=<id>` one; `-c stage=production` a production build.
const app = new App();
addCouncilStacks(app);
app.synth();

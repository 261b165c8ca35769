// The shop on this machine: the target starts it when a run executes (never for a dry run) and stops it after.
// A team's real target binds the same resources to its deployed service instead.
import { defineTarget } from 'drill';
import type { ShopResources } from '../resources.ts';
import { startShop } from '../shop.ts';

const resources: ShopResources = { url: 'http://shop.invalid' };

export default defineTarget<ShopResources>({
  name: 'shop-local',
  description: 'The example shop, started on 127.0.0.1 for the run',
  kind: 'lab',
  aws: { regions: ['eu-west-1', 'us-east-1'] },
  resources,
  async prepare({ log }) {
    const shop = await startShop();
    resources.url = shop.url;
    log(`shop: serving on ${shop.url}`);
    return shop.close;
  },
});

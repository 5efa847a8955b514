// Demo Shopify store generator: seeded, Brazilian, two years of webhook deliveries.
export {
  DEFAULT_SIMULATION_NOW,
  HISTORY_DAYS,
  createStoreSimulator,
  type SimulatedDelivery,
  type SimulationSummary,
  type StoreSimulator,
  type StoreSimulatorOptions,
} from "./store-simulator";
export { formatMoney } from "./render";
export { SHOP_NAME } from "./plan";

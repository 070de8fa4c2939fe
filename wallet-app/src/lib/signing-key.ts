// The parts of ethers a device key needs, in a module of their own so they load on demand (keystore.ts).
export { SigningKey, computeAddress, hexlify } from "ethers";

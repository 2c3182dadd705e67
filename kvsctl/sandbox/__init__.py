"""The sandbox: moto as a local AWS stand-in, and the guided demo that runs kvsctl against it."""

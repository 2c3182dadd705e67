"""Services: gather facts through kvsctl.aws, decide with the pure core, return models. Nothing here prints."""

// Runs before the agent module has loaded: the loader's stub records this.
throw new RangeError('early boom before the agent loaded');

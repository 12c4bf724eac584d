// Distinct keys per worker: w<worker>-js0, w<worker>-js1, ... cycling over `size` keys.
'use strict';

class KeyState {
    constructor(workerIndex, size) {
        this.prefix = `w${workerIndex}-js`;
        this.size = size;
        this.count = 0;
    }

    nextKey() {
        const key = this.prefix + (this.count % this.size);
        this.count += 1;
        return key;
    }
}

module.exports = KeyState;

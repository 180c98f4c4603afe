# Tally: common tasks. `make help` lists them.
SWIFT ?= swift
MODEL ?= models/SmolLM2-135M-Instruct.Q4_1.gguf
THREADS ?= $(shell nproc)
DEB_PACKAGES = libopenblas-dev libnuma-dev libsqlite3-dev python3-pip

.PHONY: help deps model build release test run clean

help:
	@echo "make deps     install the Debian packages Tally builds against (needs root)"
	@echo "make model    fetch the default model into models/ and verify its sha256"
	@echo "make release  build the release binary (.build/release/tally)"
	@echo "make run      deps + model + release, then chat with the default model"
	@echo "make test     deps + model, then the whole test suite"

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

model:
	models/fetch-model.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --scratch-path .build-release

run: deps model release
	.build-release/release/tally generate --model $(MODEL) --threads $(THREADS) --temperature 0 --max-tokens 128 \
	  --messages-file models/example-chat.json

test: deps model
	$(SWIFT) test --disable-swift-testing

clean:
	rm -rf .build .build-release

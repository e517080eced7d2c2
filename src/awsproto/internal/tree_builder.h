// Internal to awsproto: builds the flat tree of value.h for the JSON and CBOR readers.
// The node array is allocated once, at min(limits.max_nodes, kMaxShapeParseNodes,
// `most_nodes`), where `most_nodes` is the most values the body's size can encode;
// adding past it fails the parse instead of growing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "awsproto/codec.h"
#include "base/status.h"

namespace sluice::awsproto::internal {

class TreeBuilder {
 public:
  TreeBuilder(const ParseLimits& limits, uint64_t most_nodes)
      : capacity_(static_cast<size_t>(std::min<uint64_t>(
            {most_nodes, limits.max_nodes, uint64_t{kMaxShapeParseNodes}}))),
        max_depth_(std::min(limits.max_depth, kMaxParseDepth)),
        nodes_(new Value[capacity_ == 0 ? 1 : capacity_]) {}

  // A new node at the end, or null when the array is full.
  Value* Add() { return size_ < capacity_ ? &nodes_[size_++] : nullptr; }
  size_t size() const { return size_; }
  Value& at(size_t index) { return nodes_[index]; }
  // The container opened at `index` is complete with `children` children.
  void Close(size_t index, uint32_t children) {
    nodes_[index].n = children;
    nodes_[index].span = size_ - index - 1;
  }
  bool TooDeep(int depth) const { return depth > max_depth_; }
  size_t accounted_bytes() const { return capacity_ * sizeof(Value); }

  std::unique_ptr<ParsedBody> Finish(std::string body) {
    return std::make_unique<ParsedBody>(std::move(body), std::move(nodes_), capacity_);
  }

  static Status Full() { return Status::InvalidArgument("body holds more values than its request can"); }
  static Status Deep() { return Status::InvalidArgument("body nested deeper than its request can be"); }

 private:
  size_t capacity_;
  int max_depth_;
  std::unique_ptr<Value[]> nodes_;
  size_t size_ = 0;
};

}  // namespace sluice::awsproto::internal

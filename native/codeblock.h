// codeblock native core: the one public C++ header. The core has no Node-API dependency;
// native/napi/ wraps it for Node, native/test/ drives it directly (sanitizers, fuzzing).
#pragma once
#include "core/bitset.h"  // compact mask bitsets
#include "core/graph.h"
#include "core/mask.h"       // token label masks (majority-of-characters rule)
#include "core/pack.h"       // best-fit-decreasing packing, pack assembly
#include "core/structure.h"  // segments, coding items, def-use, reach/bridge (issue 3)

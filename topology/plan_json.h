// The Plan as JSON: `vklab plan --format json`, the plan file labd runs
// from, and the digest recorded in state.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "topology/plan.h"

namespace vklab::topology {

/// A stable JSON form: same plan, same bytes (keys sorted by nlohmann).
/// Guest command lines are stored as their argv.
nlohmann::json plan_to_json(const Plan& plan);

/// The inverse of plan_to_json; every field is checked, argv is re-parsed
/// with vkernel::Cmdline::parse. Errors name the offending field.
Result<Plan> plan_from_json(const nlohmann::json& j);

/// Reads a plan file (<state>/plan.json): the one reader of it. Never
/// throws: a missing file, bad JSON or a field of the wrong type is an
/// error naming the file and the field.
Result<Plan> read_plan_file(const std::string& path);

const char* op_name(HostStep::Op op);
const char* target_name(Target t);
const char* network_name(NetworkMode m);

}  // namespace vklab::topology

// The WIT layer (WIT text parsing and printing).
namespace kumo::wit {}

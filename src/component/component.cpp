// The component-model layer (component binaries, types, canonical ABI, linking).
namespace kumo::component {}

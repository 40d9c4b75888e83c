// The shared test support (testing/IoTSync.Testing), in every spec file of this project.
global using IoTSync.Testing;
global using IoTSync.Testing.Fakes;
global using IoTSync.Testing.Logs;
global using IoTSync.Testing.Processes;
global using IoTSync.Testing.Sync;

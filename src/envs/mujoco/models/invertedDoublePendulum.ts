/** InvertedDoublePendulum (Gymnasium v5 inverted_double_pendulum.xml), written from ../shared/REFERENCE.md 1.11. */
export const invertedDoublePendulumXml = `
<mujoco model="inverted_double_pendulum">
  <compiler inertiafromgeom="true"/>
  <option gravity="1e-5 0 -9.81" integrator="RK4" timestep="0.01"/>
  <size memory="64K"/>
  <default>
    <joint damping="0.05"/>
    <geom contype="0" friction="1 0.1 0.1" rgba="0.7 0.7 0 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -3" size="0 0 1" rgba="0.8 0.9 0.8 1"/>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1" rgba="0.3 0.3 0.7 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" limited="true" range="-1 1" margin="0.01"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3" rgba="0 0.7 0.7 1"/>
        <body name="pole2" pos="0 0 0.6">
          <joint name="hinge2" type="hinge" axis="0 1 0" pos="0 0 0"/>
          <geom name="cpole2" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3" rgba="0 0.7 0.7 1"/>
          <site name="tip" pos="0 0 0.6" size="0.01"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="slider" gear="500" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;
